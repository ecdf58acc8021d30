"""The playground's own pages, /play (the workspace) and /runs/<id> (one run), and asset tags."""
