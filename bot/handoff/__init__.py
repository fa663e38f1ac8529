"""Asking a coordinator: questions the bot could not answer go to a person and back."""
