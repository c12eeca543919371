"""The ledger: what happened to the household's money.

Accounts and their balances, the catalogue of categories, entries, transfers, balance
snapshots, the account statement and archiving, the month's and the Transactions page's
lists, and the month and year figures. Not here: anything about the future (planning/),
people and sign-in (people/), the instance (system/).
"""
