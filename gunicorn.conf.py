# gunicorn reads this file from the directory it starts in (the image's /app, the
# project root): the access log on standard output, webhook tokens redacted.
accesslog = "-"
logger_class = "transition.gunicorn_logging.RedactingLogger"
