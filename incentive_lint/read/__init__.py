"""Reading: files on disk -> YAML documents with the position of every node -> schema validation."""
