"""The messenger-independent core: messages, locales, dispatching and dialogs."""
