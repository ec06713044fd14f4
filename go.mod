module github.com/bcqb/bcqb

go 1.26.8

require (
	github.com/gorilla/mux v1.8.1
	github.com/hooklift/gowsdl v0.5.0
	github.com/mattn/go-sqlite3 v1.14.53
	github.com/robfig/cron/v3 v3.0.1
	github.com/shopspring/decimal v1.6.0
	golang.org/x/crypto v0.59.0
	golang.org/x/text v0.44.0
	gopkg.in/yaml.v3 v3.0.1
)

tool github.com/hooklift/gowsdl/cmd/gowsdl
