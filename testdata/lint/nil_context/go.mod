module fixture

go 1.26

require (
	golang.org/x/sync v0.0.0
	google.golang.org/grpc v0.0.0
)

replace (
	golang.org/x/sync => ./_stubs/errgroup
	google.golang.org/grpc => ./_stubs/grpc
)
