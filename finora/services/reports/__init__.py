"""Monthly and yearly reports and budget against actual: empty until the reports issue
fills it. Figures come from ledger/ and planning/; this package only arranges them.
"""
