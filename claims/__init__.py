"""The book of business: customers and their identities, policies, claims and
account issues. Imports the db base, never ``inbox``."""
