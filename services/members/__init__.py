"""Members service: profiles, skills taxonomy and areas, encrypted contact data, erasure."""
