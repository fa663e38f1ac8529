"""Workshop announcements: who wants them (subscriptions); broadcasting comes later."""
