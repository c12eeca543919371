"""The instance: what is shared by every household.

Instance settings (admin and stored), mail transport, the audit trail and activity rows,
job status, one-time form tokens, the currency and time-zone lists, the demo and bench
seed, and the instance's health: where the schema stands (schema), liveness and readiness
(health), Prometheus figures (metrics_gauges, job_metrics) and the profile's Status
(status_overview). Not here: anything owned by one household (ledger/, planning/, people/).
"""
