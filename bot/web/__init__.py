"""The bot's own HTTP server: the messengers' webhooks, behind a reverse proxy."""
