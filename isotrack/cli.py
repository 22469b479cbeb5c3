"""Helpers shared by the management commands."""

import argparse
import datetime


def iso_date(text):
    """An argparse type: a YYYY-MM-DD date; anything else is refused with a Vietnamese message."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"ngày không hợp lệ (cần YYYY-MM-DD): {text}") from error
