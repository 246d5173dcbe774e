# net_drv: tests of the Network I issue (owner in the file)
