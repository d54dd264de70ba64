import { cumulativeWeights } from './random';

/** Tickers with a rough price (in dollars) and a popularity weight: a few names dominate, as in real flow. */
const TICKERS: [symbol: string, price: number, weight: number][] = [
  ['NVDA', 480, 40], ['AAPL', 190, 38], ['MSFT', 410, 35], ['AMZN', 180, 30], ['GOOGL', 165, 28], ['META', 500, 26],
  ['TSLA', 240, 30], ['AMD', 160, 18], ['AVGO', 1300, 12], ['JPM', 195, 14], ['V', 275, 10], ['MA', 460, 8],
  ['UNH', 520, 9], ['XOM', 115, 11], ['CVX', 155, 8], ['LLY', 780, 10], ['JNJ', 155, 8], ['PG', 165, 6],
  ['HD', 360, 7], ['COST', 850, 6], ['WMT', 68, 9], ['BAC', 38, 10], ['KO', 62, 6], ['PEP', 170, 5],
  ['NFLX', 620, 9], ['CRM', 290, 7], ['ORCL', 140, 8], ['ADBE', 520, 6], ['INTC', 32, 12], ['CSCO', 50, 6],
  ['QCOM', 170, 6], ['TXN', 180, 4], ['MU', 110, 8], ['AMAT', 200, 5], ['LRCX', 900, 3], ['KLAC', 750, 3],
  ['PLTR', 28, 14], ['SNOW', 160, 5], ['PANW', 320, 5], ['CRWD', 330, 6], ['NOW', 780, 4], ['SHOP', 75, 5],
  ['UBER', 72, 7], ['ABNB', 150, 4], ['PYPL', 65, 6], ['SQ', 75, 5], ['COIN', 230, 7], ['HOOD', 20, 5],
  ['DIS', 110, 7], ['NKE', 95, 5], ['SBUX', 90, 4], ['MCD', 290, 4], ['BA', 190, 8], ['LMT', 460, 6],
  ['RTX', 100, 6], ['NOC', 470, 4], ['GD', 290, 4], ['GE', 160, 5], ['CAT', 340, 5], ['DE', 390, 3],
  ['HON', 200, 3], ['UPS', 150, 3], ['FDX', 260, 3], ['GS', 450, 5], ['MS', 95, 4], ['C', 62, 5],
  ['WFC', 58, 5], ['SCHW', 72, 3], ['BLK', 820, 3], ['AXP', 230, 3], ['PFE', 28, 8], ['MRK', 125, 5],
  ['ABBV', 170, 4], ['BMY', 50, 4], ['AMGN', 300, 3], ['GILD', 80, 3], ['MRNA', 110, 5], ['REGN', 950, 2],
  ['VRTX', 420, 2], ['ISRG', 390, 2], ['TMO', 570, 2], ['DHR', 250, 2], ['ABT', 110, 3], ['MDT', 85, 2],
  ['T', 17, 5], ['VZ', 40, 5], ['TMUS', 165, 3], ['CMCSA', 42, 3], ['NEE', 70, 3], ['DUK', 100, 2],
  ['SO', 72, 2], ['D', 50, 2], ['COP', 115, 4], ['OXY', 60, 4], ['SLB', 48, 3], ['HAL', 36, 2],
  ['F', 12, 6], ['GM', 45, 5], ['RIVN', 12, 5], ['LCID', 3, 3], ['NIO', 5, 3], ['ENPH', 110, 3],
  ['FSLR', 200, 3], ['SEDG', 60, 1], ['PLUG', 3, 2], ['SPY', 520, 10], ['QQQ', 440, 8], ['IWM', 205, 4],
  ['DIA', 390, 2], ['XLE', 92, 2], ['XLF', 41, 2], ['XLK', 210, 2], ['SMH', 230, 3], ['ARKK', 48, 3],
  ['TSM', 150, 7], ['ASML', 950, 3], ['BABA', 80, 4], ['PDD', 140, 3], ['SONY', 85, 1], ['TM', 200, 1],
  ['MSTR', 1400, 4], ['SMCI', 800, 5], ['DELL', 120, 3], ['HPQ', 30, 2], ['IBM', 185, 3], ['ANET', 300, 3],
  ['MRVL', 70, 3], ['ON', 70, 2], ['ARM', 130, 3], ['DDOG', 125, 2], ['ZS', 190, 2], ['NET', 90, 2],
  ['MDB', 360, 1], ['TEAM', 200, 1], ['WDAY', 260, 1], ['INTU', 630, 2], ['ADP', 245, 1], ['PAYX', 120, 1],
  ['LOW', 230, 2], ['TGT', 160, 2], ['CVS', 70, 3], ['WBA', 18, 2], ['KR', 55, 1], ['DG', 130, 1],
];
export const SYMBOLS = TICKERS.map(([symbol]) => symbol);
export const SYMBOL_PRICES = new Map(TICKERS.map(([symbol, price]) => [symbol, price]));
export const SYMBOL_WEIGHTS = cumulativeWeights(TICKERS.map(([, , weight]) => weight));
/** Never listed at the broker: decisions on these are rejected as invalid symbols. */
export const DELISTED_SYMBOLS = ['SIVB', 'FRC', 'BBBY', 'TWTR', 'ATVI'];

export type Politician = { name: string; bioGuideId: string; house: 'Representatives' | 'Senate'; party: 'D' | 'R' };
export const POLITICIANS: Politician[] = [
  ['Nancy Pelosi', 'P000197', 'Representatives', 'D'], ['Dan Crenshaw', 'C001120', 'Representatives', 'R'],
  ['Josh Gottheimer', 'G000583', 'Representatives', 'D'], ['Marjorie Taylor Greene', 'G000596', 'Representatives', 'R'],
  ['Ro Khanna', 'K000389', 'Representatives', 'D'], ['Michael McCaul', 'M001157', 'Representatives', 'R'],
  ['Tommy Tuberville', 'T000278', 'Senate', 'R'], ['Mark Warner', 'W000805', 'Senate', 'D'],
  ['Shelley Moore Capito', 'C001047', 'Senate', 'R'], ['Sheldon Whitehouse', 'W000802', 'Senate', 'D'],
  ['Debbie Wasserman Schultz', 'W000797', 'Representatives', 'D'], ['Kevin Hern', 'H001082', 'Representatives', 'R'],
  ['John Curtis', 'C001114', 'Senate', 'R'], ['Gary Peters', 'P000595', 'Senate', 'D'],
].map(([name, bioGuideId, house, party]) => ({ name, bioGuideId, house, party }) as Politician);

export const TRADE_RANGES = [
  '$1,001 - $15,000', '$15,001 - $50,000', '$50,001 - $100,000', '$100,001 - $250,000',
  '$250,001 - $500,000', '$500,001 - $1,000,000', '$1,000,001 - $5,000,000',
];

export const INSIDER_TITLES = ['CEO', 'CFO', 'Director', 'COO', '10% Owner', 'General Counsel', 'EVP'];
export const SECTORS = ['Technology', 'Energy', 'Financials', 'Health Care', 'Industrials', 'Consumer Discretionary', 'Utilities'];

/** The data-fetch tasks, what they call, and which strategy reads their output. */
export type FetchTask = {
  taskName: string;
  source: 'quiverquant' | 'alpaca';
  host: string;
  endpoint: string;
  kind: 'congress' | 'insider' | 'bars';
  strategies: string[];
};
export const FETCH_TASKS: FetchTask[] = [
  { taskName: 'data_fetch:congress_daily', source: 'quiverquant', host: 'api.quiverquant.com', endpoint: '/beta/live/congresstrading', kind: 'congress', strategies: ['CongressionalTradingStrategy'] },
  { taskName: 'data_fetch:insider_trades', source: 'quiverquant', host: 'api.quiverquant.com', endpoint: '/beta/live/insiders', kind: 'insider', strategies: ['InsiderMomentum_v2'] },
  { taskName: 'data_fetch:market_bars', source: 'alpaca', host: 'data.alpaca.markets', endpoint: '/v2/stocks/bars', kind: 'bars', strategies: ['SectorRotationModel_v1', 'MeanReversion_v3'] },
];
export const FETCH_TASK_WEIGHTS = cumulativeWeights([50, 25, 25]);

export const MODEL_VERSIONS: Record<string, string> = {
  CongressionalTradingStrategy: 'v1.4.2',
  InsiderMomentum_v2: 'v2.0.3',
  SectorRotationModel_v1: 'v1.0.7',
  MeanReversion_v3: 'v3.2.0',
};

/** Why the broker refuses orders, with the HTTP status and body it answers. */
export type Rejection = { reason: string; httpStatus: number; code: number; message: (symbol: string) => string };
export const REJECTIONS: Rejection[] = [
  { reason: 'insufficient buying power', httpStatus: 403, code: 40310000, message: () => 'insufficient buying power' },
  { reason: 'rate limit', httpStatus: 429, code: 42910000, message: () => 'rate limit exceeded' },
  { reason: 'market closed', httpStatus: 422, code: 42210000, message: () => 'market is closed; order rejected outside trading hours' },
  { reason: 'invalid symbol', httpStatus: 422, code: 42210000, message: (symbol) => `asset "${symbol}" not found or not tradable (invalid symbol)` },
  { reason: 'other', httpStatus: 500, code: 50010000, message: () => 'internal server error' },
];
export const REJECTION_WEIGHTS = cumulativeWeights([40, 25, 20, 10, 5]);

export const ACCOUNTS = Array.from({ length: 24 }, (_, index) => `PA-${String(index + 1).padStart(4, '0')}`);
