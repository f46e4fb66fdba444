module fixture

go 1.26

require (
	github.com/jmoiron/sqlx v0.0.0
	golang.org/x/oauth2 v0.0.0
	google.golang.org/grpc v0.0.0
)

replace (
	github.com/jmoiron/sqlx => ./_stubs/sqlx
	golang.org/x/oauth2 => ./_stubs/oauth2
	google.golang.org/grpc => ./_stubs/grpc
)
