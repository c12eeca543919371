"""Household and instance backups and restore: empty until the backups issue fills it.
"""
