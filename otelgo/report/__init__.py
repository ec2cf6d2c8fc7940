"""What a build tells its user: the progress line and the summary."""
