‰SDC

