# net_drv: host unit tests of the Network I issue
