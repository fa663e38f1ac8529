"""Messengers: each turns its platform's updates into core messages and back."""
