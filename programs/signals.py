from django.dispatch import Signal

# Sent with `program` once a program exists with its defaults; the CMS adds its pages.
program_ready = Signal()

# Sent by the daily purge command; other apps delete what they keep only for a while and
# return a line for the command's output (the CMS: sign-ups of past events).
daily_purge = Signal()

# Sent with `program`, `start` and `end` while its report is built; other apps return
# {key: count} of what they keep (the newsletter: subscribers and issues sent; the CMS:
# sign-ups for coming group sessions). Counts only, never who.
report_counts = Signal()
