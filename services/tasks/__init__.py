"""Tasks service: organizations, coordinators and the tasks they post; exact addresses kept private."""
