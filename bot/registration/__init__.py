"""Registering a municipality's interest: the form, the person's data rights, exports."""
