"""People: who may do what.

Sign-up and its e-mail confirmation, sign-in, passwords and their reset, the recovery key,
TOTP and backup codes, passkeys, sessions, invitations, members and roles, households and
their settings, profile details. Not here: instance settings, mail transport and the audit
trail (system/).
"""
