"""Every write to the domain goes through a function in this package.

HTML views, the API and management commands call the same functions, so a rule is
written once. Functions take keyword-only arguments and are named <entity>_<action>.
"""
