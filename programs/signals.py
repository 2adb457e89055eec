from django.dispatch import Signal

# Sent with `program` once a program exists with its defaults; the CMS adds its pages.
program_ready = Signal()
