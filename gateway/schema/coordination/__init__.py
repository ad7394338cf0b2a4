"""A coordinator's tasks: post, edit, cancel, watch them fill, reach volunteers who accepted."""
