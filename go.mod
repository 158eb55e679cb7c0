module github.com/halocfg/halocfg

go 1.26.8
