"""Learning pages: the home page with the concept map, concept pages and guided tour pages."""
