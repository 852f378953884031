#!/usr/bin/env python
import os
import sys

if sys.version_info < (3, 12):  # noqa: UP036 (an old interpreter must get a clear message)
    sys.exit("Kompra needs Python 3.12 or later (Django 6.1); this is " + sys.version.split()[0] + ".")


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kompra.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
