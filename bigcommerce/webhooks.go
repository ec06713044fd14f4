package bigcommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Webhook is a registered v3 webhook (/v3/hooks). BigCommerce shows a hook
// only to the API account that created it.
type Webhook struct {
	ID          int64             `json:"id"`
	ClientID    string            `json:"client_id"`
	StoreHash   string            `json:"store_hash"`
	Scope       string            `json:"scope"`
	Destination string            `json:"destination"`
	Headers     map[string]string `json:"headers"`
	IsActive    bool              `json:"is_active"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// UnmarshalJSON reads the Unix-second timestamps.
func (w *Webhook) UnmarshalJSON(b []byte) error {
	type alias Webhook
	aux := struct {
		*alias
		CreatedAt flexTime `json:"created_at"`
		UpdatedAt flexTime `json:"updated_at"`
	}{alias: (*alias)(w)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	w.CreatedAt, w.UpdatedAt = aux.CreatedAt.t, aux.UpdatedAt.t
	return nil
}

// WebhookSpec is what CreateWebhook registers. Headers are sent back by
// BigCommerce on every callback: since callbacks carry no signature, a
// secret header is the only way to know a callback is genuine. BigCommerce
// only delivers to HTTPS on port 443.
type WebhookSpec struct {
	Scope       string            `json:"scope"` // e.g. "store/order/*"
	Destination string            `json:"destination"`
	Headers     map[string]string `json:"headers,omitempty"`
	IsActive    bool              `json:"is_active"`
}

// Webhooks lists this API account's webhooks.
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	return v3All[Webhook](ctx, c, "v3/hooks", nil)
}

// CreateWebhook registers a webhook. It is not retried on 5xx or network
// errors (a retried POST could register twice); BigCommerce refuses a second
// hook for the same scope and destination with a 422.
func (c *Client) CreateWebhook(ctx context.Context, spec WebhookSpec) (Webhook, error) {
	var env struct {
		Data Webhook `json:"data"`
	}
	resp, err := c.do(ctx, http.MethodPost, "v3/hooks", nil, spec)
	if err != nil {
		return Webhook{}, err
	}
	if err := json.Unmarshal(resp.body, &env); err != nil {
		return Webhook{}, fmt.Errorf("bigcommerce: create webhook: %w", err)
	}
	return env.Data, nil
}

// DeleteWebhook removes a webhook; deleting one that is already gone is an
// error matching ErrNotFound.
func (c *Client) DeleteWebhook(ctx context.Context, id int64) error {
	_, err := c.do(ctx, http.MethodDelete, fmt.Sprintf("v3/hooks/%d", id), nil, nil)
	return err
}

// WebhookEvent is a callback BigCommerce posts to a webhook destination. It
// carries ids only: fetch the document it names. Deliveries can repeat, so
// dedupe on Hash.
type WebhookEvent struct {
	Scope     string      `json:"scope"`
	StoreID   string      `json:"store_id"`
	Data      WebhookData `json:"data"`
	Hash      string      `json:"hash"`
	CreatedAt time.Time   `json:"created_at"`
	Producer  string      `json:"producer"`

	Raw json.RawMessage `json:"-"`
}

// WebhookData is the data object of a callback. Which fields are set
// depends on the scope.
type WebhookData struct {
	Type    string `json:"type"`
	ID      int64  `json:"id"`
	OrderID int64  `json:"order_id"` // transaction scopes send it as a string
	Status  *struct {
		PreviousStatusID int `json:"previous_status_id"`
		NewStatusID      int `json:"new_status_id"`
	} `json:"status,omitempty"`
	Refund *struct {
		RefundID int64 `json:"refund_id"`
	} `json:"refund,omitempty"`
	Inventory *struct {
		ProductID int64  `json:"product_id"`
		VariantID int64  `json:"variant_id"`
		Method    string `json:"method"` // absolute (possibly our own push) or relative
		Value     int64  `json:"value"`
	} `json:"inventory,omitempty"`
}

// UnmarshalJSON accepts string or number ids.
func (d *WebhookData) UnmarshalJSON(b []byte) error {
	type alias WebhookData
	aux := struct {
		*alias
		ID      flexInt `json:"id"`
		OrderID flexInt `json:"order_id"`
	}{alias: (*alias)(d)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	d.ID, d.OrderID = int64(aux.ID), int64(aux.OrderID)
	return nil
}

// ParseWebhook decodes a callback body. It checks only the shape; checking
// the secret header is the receiver's job.
func ParseWebhook(body []byte) (WebhookEvent, error) {
	var aux struct {
		WebhookEvent
		StoreID   flexString `json:"store_id"`
		CreatedAt flexTime   `json:"created_at"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(body), &aux); err != nil {
		return WebhookEvent{}, fmt.Errorf("bigcommerce: webhook payload: %w", err)
	}
	ev := aux.WebhookEvent
	ev.StoreID, ev.CreatedAt = string(aux.StoreID), aux.CreatedAt.t
	if ev.Scope == "" || ev.Hash == "" {
		return WebhookEvent{}, errors.New("bigcommerce: webhook payload without scope or hash")
	}
	ev.Raw = rawCopy(body)
	return ev, nil
}
