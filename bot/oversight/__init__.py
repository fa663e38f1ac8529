"""Coordinators watching over the bot: what was done (/audit)."""
