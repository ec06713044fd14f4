package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Company is a QuickBooks company file, reached through one Web Connector user.
type Company struct {
	ID int64
	// FileID is the GUID the Web Connector stamps into the company file.
	FileID string
	// CompanyFile is the path of the company file as the Web Connector reports it.
	CompanyFile string
	CompanyName string
	// Country is the qbXML edition: US, CA or UK.
	Country     string
	ProductName string
	// QBXMLVersions lists the versions the company's request processor
	// supports, comma separated, as HostQuery reported them.
	QBXMLVersions string
	// QBXMLVersion is the version last negotiated with it.
	QBXMLVersion string
	// InfoJSON is the last company-info refresh, as the jobs package encoded it.
	InfoJSON        string
	InfoRefreshedAt time.Time
	// ListsReadAt is when the sync engine last read the company's lists
	// (zero: never, so nothing can be planned for it yet).
	ListsReadAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const companyColumns = `id, file_id, company_file, company_name, country, product_name, qbxml_versions,
	qbxml_version, info_json, info_refreshed_at, lists_read_at, created_at, updated_at`

func scanCompany(row scanner) (Company, error) {
	var c Company
	var refreshed, listsRead sql.NullString
	var created, updated string
	if err := row.Scan(&c.ID, &c.FileID, &c.CompanyFile, &c.CompanyName, &c.Country, &c.ProductName,
		&c.QBXMLVersions, &c.QBXMLVersion, &c.InfoJSON, &refreshed, &listsRead, &created, &updated); err != nil {
		return Company{}, err
	}
	var err error
	if c.InfoRefreshedAt, err = parseNullTime(refreshed); err != nil {
		return Company{}, err
	}
	if c.ListsReadAt, err = parseNullTime(listsRead); err != nil {
		return Company{}, err
	}
	if c.CreatedAt, err = parseTime(created); err != nil {
		return Company{}, err
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return Company{}, err
	}
	return c, nil
}

// Company returns the company with the given id.
func (db *DB) Company(ctx context.Context, id int64) (Company, error) {
	c, err := scanCompany(db.read.QueryRowContext(ctx, "SELECT "+companyColumns+" FROM companies WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return Company{}, fmt.Errorf("store: company %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Company{}, fmt.Errorf("store: company %d: %w", id, err)
	}
	return c, nil
}

// Companies lists every company file, oldest first.
func (db *DB) Companies(ctx context.Context) ([]Company, error) {
	return queryAll(ctx, db.read, "companies", scanCompany, "SELECT "+companyColumns+" FROM companies ORDER BY id")
}

// CompanyInfo is what a company-info refresh learned about a company file.
type CompanyInfo struct {
	CompanyFile   string
	CompanyName   string
	Country       string
	ProductName   string
	QBXMLVersions string
	// JSON is the whole refresh, kept for the page.
	JSON string
}

// UpdateCompanyInfo records a company-info refresh.
func (db *DB) UpdateCompanyInfo(ctx context.Context, id int64, info CompanyInfo) error {
	now := formatTime(db.now())
	res, err := db.write.ExecContext(ctx, `UPDATE companies SET
		company_file = CASE WHEN ? <> '' THEN ? ELSE company_file END,
		company_name = ?, country = ?, product_name = ?, qbxml_versions = ?, info_json = ?,
		info_refreshed_at = ?, updated_at = ? WHERE id = ?`,
		info.CompanyFile, info.CompanyFile, info.CompanyName, info.Country, info.ProductName, info.QBXMLVersions,
		info.JSON, now, now, id)
	if err != nil {
		return fmt.Errorf("store: update company %d: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("company %d", id))
}

// RecordCompanyConnection records what the Web Connector said about the
// company file at the start of a session: its path, country and the
// negotiated qbXML version (and the supported list when the HCP response
// carried it).
func (db *DB) RecordCompanyConnection(ctx context.Context, id int64, companyFile, country, versions, negotiated string) error {
	res, err := db.write.ExecContext(ctx, `UPDATE companies SET
		company_file = CASE WHEN ? <> '' THEN ? ELSE company_file END,
		country = CASE WHEN ? <> '' THEN ? ELSE country END,
		qbxml_versions = CASE WHEN ? <> '' THEN ? ELSE qbxml_versions END,
		qbxml_version = ?, updated_at = ? WHERE id = ?`,
		companyFile, companyFile, country, country, versions, versions, negotiated, formatTime(db.now()), id)
	if err != nil {
		return fmt.Errorf("store: record company %d connection: %w", id, err)
	}
	return mustAffect(res, fmt.Sprintf("company %d", id))
}

func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return nil
}
