/**
 * Fictitious French-looking names. Every combination is drawn at random: no record describes a real
 * person.
 */
export const FAMILY_NAMES: readonly string[] = [
  'MARTIN', 'BERNARD', 'THOMAS', 'PETIT', 'ROBERT', 'RICHARD', 'DURAND', 'DUBOIS', 'MOREAU', 'LAURENT',
  'SIMON', 'MICHEL', 'LEFEBVRE', 'LEROY', 'ROUX', 'DAVID', 'BERTRAND', 'MOREL', 'FOURNIER', 'GIRARD',
  'BONNET', 'DUPONT', 'LAMBERT', 'FONTAINE', 'ROUSSEAU', 'VINCENT', 'MULLER', 'LEFEVRE', 'FAURE', 'ANDRE',
  'MERCIER', 'BLANC', 'GUERIN', 'BOYER', 'GARNIER', 'CHEVALIER', 'FRANCOIS', 'LEGRAND', 'GAUTHIER', 'GARCIA',
  'PAYET', 'HOARAU', 'GRONDIN', 'FONTAINE', 'RIVIERE', 'TECHER', 'LEBON', 'HOAREAU', 'BOYER', 'MAILLOT',
  'JEAN-BAPTISTE', 'LOUIS-JOSEPH', 'CELESTINE', 'MARIE-SAINTE', 'ALEXANDRE', 'SAINTE-ROSE', 'ATTOUMANI',
  'MADI', 'ABDALLAH', 'COMBO', 'ISSOUFI', 'PERRIN', 'MORIN', 'CLEMENT', 'NICOLAS', 'HENRY', 'ROUSSEL',
];

export const GIVEN_NAMES_FEMALE: readonly string[] = [
  'Marie', 'Jeanne', 'Françoise', 'Monique', 'Catherine', 'Nathalie', 'Isabelle', 'Sylvie', 'Anne',
  'Martine', 'Christine', 'Madeleine', 'Simone', 'Yvette', 'Germaine', 'Odette', 'Léa', 'Chloé', 'Manon',
  'Inès', 'Jade', 'Louise', 'Camille', 'Zoé', 'Emma', 'Lina', 'Anaïs', 'Mariama', 'Fatima', 'Josiane',
];

export const GIVEN_NAMES_MALE: readonly string[] = [
  'Jean', 'Pierre', 'Michel', 'André', 'Philippe', 'René', 'Louis', 'Alain', 'Jacques', 'Bernard',
  'Marcel', 'Daniel', 'Roger', 'Robert', 'Paul', 'Henri', 'Lucas', 'Hugo', 'Nathan', 'Enzo', 'Louis',
  'Gabriel', 'Léo', 'Raphaël', 'Mathis', 'Noah', 'Ibrahim', 'Said', 'Jean-Claude', 'Maxime',
];

export const CITY_NAMES: readonly string[] = [
  'Saint-Clément-des-Prés', 'Villeneuve-sur-Orge', 'Beaulieu-la-Forêt', 'Montclar-sur-Lot',
  'Saint-Aubin-les-Vignes', 'Fontenay-le-Vieux', 'Roche-Blanche', 'Saint-Pierre-des-Hauts',
];
