"""Services that talk to the outside world for a household (e-mail balance import over
IMAP, AI insights): empty until their issue fills it.
"""
