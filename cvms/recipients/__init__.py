"""Recipients: the people who may receive vaccine, loaded one by one or in bulk, and their welcome emails."""
