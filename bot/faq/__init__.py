"""FAQ: the knowledge base and the matching of free-text questions to its topics."""
