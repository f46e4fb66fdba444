module fixture

go 1.26

require (
	github.com/jmoiron/sqlx v1.4.0
	google.golang.org/grpc v1.83.0
)

replace (
	github.com/jmoiron/sqlx => ./_stubs/sqlx
	google.golang.org/grpc => ./_stubs/grpc
)
