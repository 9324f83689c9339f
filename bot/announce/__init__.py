"""Announcements of the communications group: validate, authorise, post to Slack, index, withdraw.

Surfaces (the /announce modal, POST /api/announcements, `partnerbot announcements`) all go through
`Announcer`, so the record-before-post and post-once rules hold whichever way an announcement comes in.
"""
