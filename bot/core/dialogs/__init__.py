"""Conversations: the menu, help, language choice and, later, the forms."""
