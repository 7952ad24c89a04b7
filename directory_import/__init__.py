"""The directory of Brussels social-health actors: its tables, territory, export readers and sync.

This package never imports Flask or ``helpdesk``; callers hand it sessions, paths and values.
"""
