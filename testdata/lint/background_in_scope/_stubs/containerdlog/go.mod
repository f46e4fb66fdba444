module github.com/containerd/log

go 1.26
