"""The core the features share: domain events and background jobs."""
