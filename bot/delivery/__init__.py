"""The one road out: every message the bot sends goes through here."""
