‰SDC

€