"""``python -m compare train``: every implementation trained from identical weights on identical batches."""
