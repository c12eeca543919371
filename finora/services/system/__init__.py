"""The instance: what is shared by every household.

Instance settings (admin and stored), mail transport, the audit trail and activity rows,
job status, one-time form tokens, the currency and time-zone lists, and the demo and bench
seed. Not here: anything owned by one household (ledger/, planning/, people/).
"""
