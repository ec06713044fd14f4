package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// ErrBadCredentials is returned by Authenticate for an unknown user and for a
// wrong password alike, so that callers cannot tell the two apart.
var ErrBadCredentials = errors.New("bad credentials")

// User is a Web Connector user: the UserName in a .qwc file, bound to one
// company file.
type User struct {
	ID        int64
	Username  string
	CompanyID int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// bcryptCost is bcrypt's default: a Web Connector authenticates once per
// scheduled run, so its cost is paid rarely.
const bcryptCost = bcrypt.DefaultCost

// dummyHash is compared against when the user does not exist, so that an
// unknown user takes as long to refuse as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("bcqb-no-such-user"), bcryptCost)

// PutUser creates the Web Connector user with the given password, or updates
// the password of an existing one. A new user gets a new company file record
// with a fresh FileID.
func (db *DB) PutUser(ctx context.Context, username, password string) (User, error) {
	return db.putUser(ctx, username, password, false)
}

// CreateUser creates a new Web Connector user like PutUser, but never
// changes an existing one: a user of that name is an error wrapping
// ErrConflict (the page's "add a user" must not reset someone's password).
func (db *DB) CreateUser(ctx context.Context, username, password string) (User, error) {
	return db.putUser(ctx, username, password, true)
}

func (db *DB) putUser(ctx context.Context, username, password string, mustBeNew bool) (User, error) {
	if username == "" {
		return User{}, errors.New("store: Web Connector user name is empty")
	}
	if password == "" {
		return User{}, errors.New("store: Web Connector password is empty")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return User{}, fmt.Errorf("store: hash password: %w", err)
	}
	fileID, err := NewGUID()
	if err != nil {
		return User{}, err
	}
	now := formatTime(db.now())
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if mustBeNew {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM qbwc_users WHERE username = ?", username).Scan(&n); err != nil {
				return fmt.Errorf("store: create user: %w", err)
			}
			if n > 0 {
				return fmt.Errorf("store: Web Connector user %q already exists: %w", username, ErrConflict)
			}
		} else {
			res, err := tx.ExecContext(ctx, "UPDATE qbwc_users SET password_hash = ?, updated_at = ? WHERE username = ?",
				string(hash), now, username)
			if err != nil {
				return fmt.Errorf("store: update user: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				return nil
			}
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO companies(file_id, created_at, updated_at) VALUES (?, ?, ?)", fileID, now, now)
		if err != nil {
			return fmt.Errorf("store: create company: %w", err)
		}
		companyID, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("store: create company: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO qbwc_users(username, password_hash, company_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?)`, username, string(hash), companyID, now, now); err != nil {
			return fmt.Errorf("store: create user: %w", err)
		}
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return db.UserByName(ctx, username)
}

const userColumns = "id, username, company_id, created_at, updated_at"

func scanUser(row scanner) (User, string, error) {
	var u User
	var hash, created, updated string
	if err := row.Scan(&u.ID, &u.Username, &u.CompanyID, &created, &updated, &hash); err != nil {
		return User{}, "", err
	}
	var err error
	if u.CreatedAt, err = parseTime(created); err != nil {
		return User{}, "", err
	}
	if u.UpdatedAt, err = parseTime(updated); err != nil {
		return User{}, "", err
	}
	return u, hash, nil
}

// UserByName returns the Web Connector user with that name.
func (db *DB) UserByName(ctx context.Context, username string) (User, error) {
	u, _, err := scanUser(db.read.QueryRowContext(ctx,
		"SELECT "+userColumns+", password_hash FROM qbwc_users WHERE username = ?", username))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("store: user %q: %w", username, ErrNotFound)
	}
	if err != nil {
		return User{}, fmt.Errorf("store: user %q: %w", username, err)
	}
	return u, nil
}

// Users lists the Web Connector users.
func (db *DB) Users(ctx context.Context) ([]User, error) {
	return queryAll(ctx, db.read, "users", func(r scanner) (User, error) {
		u, _, err := scanUser(r)
		return u, err
	}, "SELECT "+userColumns+", password_hash FROM qbwc_users ORDER BY id")
}

// Authenticate checks a Web Connector user name and password. Both an unknown
// user and a wrong password return ErrBadCredentials after one bcrypt
// comparison, so neither the answer nor its timing tells them apart.
func (db *DB) Authenticate(ctx context.Context, username, password string) (User, error) {
	u, hash, err := scanUser(db.read.QueryRowContext(ctx,
		"SELECT "+userColumns+", password_hash FROM qbwc_users WHERE username = ?", username))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, ErrBadCredentials
	case err != nil:
		return User{}, fmt.Errorf("store: authenticate: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// UserCompanyFileID returns the FileID of the company file bound to a Web Connector user.
func (db *DB) UserCompanyFileID(ctx context.Context, username string) (string, error) {
	var id string
	err := db.read.QueryRowContext(ctx, `SELECT c.file_id FROM qbwc_users u JOIN companies c ON c.id = u.company_id
		WHERE u.username = ?`, username).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: user %q: %w", username, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: user %q: %w", username, err)
	}
	return id, nil
}
