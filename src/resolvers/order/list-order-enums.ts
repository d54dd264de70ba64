import { registerEnumType } from 'type-graphql';
import { LIST_ORDERS, type ListOrders } from '../../queries/list-order';

type OrderEnum = Record<string, string>;

/**
 * The `orderBy:` enum of a record type, made from its orders (see
 * LIST_ORDERS): a value per order an index serves, each described with the
 * index that serves it and where it is a default.
 */
function orderEnumOf(orders: ListOrders, records: string, { rootList = true } = {}): OrderEnum {
  const values: OrderEnum = Object.fromEntries(orders.orders.map(({ name }) => [name, name]));
  const defaults = (order: ListOrders['orders'][number]) =>
    [
      rootList && order === orders.rootDefault ? ` The default of the ${records} root list.` : '',
      order === orders.childDefault && (!rootList || order !== orders.rootDefault)
        ? ` The default of a node's own ${records}.`
        : '',
    ].join('');
  registerEnumType(values, {
    name: orders.enumName,
    description:
      `Orders of ${records}: a column, then the primary key, so the order is total and every page is an ` +
      'index range. A cursor pages only the order it was read in.',
    valuesConfig: Object.fromEntries(
      orders.orders.map((order) => [order.name, { description: `${order.description}${defaults(order)}` }]),
    ),
  });
  return values;
}

export const IngestionRunOrder = orderEnumOf(LIST_ORDERS.IngestionRun, 'ingestion runs');
export const ApiPayloadOrder = orderEnumOf(LIST_ORDERS.ApiPayload, 'API payloads');
export const TradeDecisionOrder = orderEnumOf(LIST_ORDERS.TradeDecision, 'decisions');
export const TradeExecutionOrder = orderEnumOf(LIST_ORDERS.TradeExecution, 'executions');
export const PositionOrder = orderEnumOf(LIST_ORDERS.Position, 'positions');
export const AuditEventOrder = orderEnumOf(LIST_ORDERS.AuditEvent, 'audit events');
export const QueryAuditEntryOrder = orderEnumOf(LIST_ORDERS.QueryAuditEntry, 'query audit entries');
export const RecordCorrectionOrder = orderEnumOf(LIST_ORDERS.RecordCorrection, 'corrections', { rootList: false });

/** The description of every `orderBy:` argument. */
export const ORDER_BY_DESCRIPTION =
  "The list's order (by default the one its description names). A cursor carries its order: " +
  'one read in another order is refused (BAD_USER_INPUT).';
