"""The Wagtail admin for program admins and coordinators (registered in programs.wagtail_hooks).

Nothing here is registered with Django's own admin, and no support request, message, note
or case event has a view in any admin.
"""
