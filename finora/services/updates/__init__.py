"""Signed, guided updates of the application: empty until the updates issue fills it.
"""
