"""Page templates of the four CMS families the demo sites run on."""
